"""An MNIST classifier in the style of the pytorch/examples one: a small CNN, a
DataLoader over a TensorDataset, Adadelta with a StepLR schedule, evaluation
under no_grad, and the state dict saved and loaded back."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def make_models():
    return [Net()]


def train(models, images, labels, checkpoint):
    model, = models
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model.to(device)
    data = torch.from_numpy(images).float().div(255).unsqueeze(1)
    data = (data - 0.1307) / 0.3081
    targets = torch.from_numpy(labels).long()
    train_set = TensorDataset(data[:192], targets[:192])
    test_set = TensorDataset(data[192:], targets[192:])
    train_loader = DataLoader(train_set, batch_size=32, shuffle=False, num_workers=0)
    test_loader = DataLoader(test_set, batch_size=64)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    losses = []
    for epoch in range(1, 3):
        model.train()
        for batch_idx, (x, target) in enumerate(train_loader):
            x, target = x.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(x)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for x, target in test_loader:
                output = model(x)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        losses.append(test_loss / len(test_loader.dataset))
        losses.append(correct / len(test_loader.dataset))
        scheduler.step()
    torch.save(model.state_dict(), checkpoint)
    restored = Net()
    restored.load_state_dict(torch.load(checkpoint, weights_only=True))
    restored.eval()
    _, predicted = torch.max(restored(data[192:]).data, 1)
    losses.append((predicted == targets[192:]).sum().item())
    return losses
